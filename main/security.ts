import { app, session, shell, type BrowserWindow, type WebContents } from 'electron';

/** The renderer's Content-Security-Policy: our own files only; no remote code, no eval, no frames. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: penny-media:; media-src 'self' blob: penny-media:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  spellcheck: false,
} as const;

/** Applies Electron's security checklist to the default session and every web contents created. */
export function hardenApp(isTrustedUrl: (url: string) => boolean): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // Deny every permission (camera, mic, geolocation, notifications come through main instead).
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.setWindowOpenHandler(({ url }) => {
      // Help links may open in the user's browser; nothing opens inside Penny.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** IPC is only answered for our own top frame, never for an iframe or a navigated-away page. */
export function isTrustedSender(win: BrowserWindow | null, frame: Electron.WebFrameMain | null, isTrustedUrl: (url: string) => boolean): boolean {
  if (!win || !frame) return false;
  return frame === win.webContents.mainFrame && isTrustedUrl(frame.url);
}
