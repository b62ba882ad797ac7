import { app, BrowserWindow, dialog, ipcMain, Menu, net, Notification, protocol } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CoreHost } from './core-host.js';
import { hardenApp, isTrustedSender, WEB_PREFERENCES } from './security.js';
import { buildMenu } from './menu.js';
import { resolveSignedMedia } from '../services/core/media/sign.js';

const RENDERER_URL = process.env.ELECTRON_RENDERER_URL; // set by electron-vite in development only
const indexHtml = join(__dirname, '../renderer/index.html');
const trustedOrigin = RENDERER_URL ? new URL(RENDERER_URL).origin : pathToFileURL(indexHtml).href;
const isTrustedUrl = (url: string) => (RENDERER_URL ? new URL(url).origin === trustedOrigin : url.split(/[?#]/)[0] === trustedOrigin);

let win: BrowserWindow | null = null;
const core = new CoreHost(join(__dirname, 'core.cjs'), (name, payload) => {
  win?.webContents.send('penny:event', { name, payload });
  if (name === 'alert.raised' && Notification.isSupported()) {
    const p = payload as { title?: string; body?: string };
    new Notification({ title: p.title ?? 'Penny', body: p.body ?? '' }).show();
  }
});

function createWindow() {
  win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 390,
    title: 'Penny',
    backgroundColor: '#0f1419',
    show: false,
    webPreferences: { ...WEB_PREFERENCES, preload: join(__dirname, '../preload/index.cjs') },
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => (win = null));
  if (RENDERER_URL) void win.loadURL(RENDERER_URL);
  else void win.loadFile(indexHtml);
}

// Evidence plays from a privileged scheme with streaming (seeking) rather than file://, which the CSP does not allow.
protocol.registerSchemesAsPrivileged([{ scheme: 'penny-media', privileges: { stream: true, supportFetchAPI: true, standard: true, secure: true } }]);

function registerMediaProtocol(dataDir: string) {
  protocol.handle('penny-media', (request) => {
    const url = new URL(request.url);
    // penny-media://media/<path>?exp&sig — the host is the literal "media".
    const rel = url.pathname.replace(/^\/+/, '').split('/').map(decodeURIComponent).join('/');
    const found = resolveSignedMedia(core.mediaKey, dataDir, rel, url.searchParams.get('exp'), url.searchParams.get('sig'), Date.now());
    if ('status' in found) return new Response(found.reason, { status: found.status });
    return net.fetch(pathToFileURL(found.file).href, { headers: request.headers });
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.whenReady().then(async () => {
    hardenApp(isTrustedUrl);
    Menu.setApplicationMenu(buildMenu());
    ipcMain.handle('penny:invoke', (event, req: { name: string; input: unknown; session?: string }) => {
      if (!isTrustedSender(win, event.senderFrame, isTrustedUrl)) {
        return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame.' } };
      }
      if (typeof req?.name !== 'string') return { ok: false, error: { code: 'invalid_input', message: 'command name missing' } };
      return core.invoke(req.name, req.input, req.session);
    });
    registerMediaProtocol(app.getPath('userData'));
    try {
      await core.start(app.getPath('userData'));
    } catch (err) {
      dialog.showErrorBox('Penny could not start', err instanceof Error ? err.message : String(err));
      app.quit();
      return;
    }
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => core.stop());
}
