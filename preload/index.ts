import { contextBridge, ipcRenderer, webUtils } from 'electron';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();
ipcRenderer.on('penny:event', (_e, msg: { name: string; payload: unknown }) => {
  for (const l of listeners.get(msg.name) ?? []) l(msg.payload);
  for (const l of listeners.get('*') ?? []) l(msg);
});

/**
 * Exactly what the renderer may use. No ipcRenderer, no Node: a command by name, event
 * subscriptions, and the path of a dropped file (the sandboxed renderer cannot see paths).
 */
contextBridge.exposeInMainWorld('penny', {
  version: process.versions.electron ? `electron ${process.versions.electron}` : 'electron',
  invoke: (name: string, input: unknown, session?: string) => ipcRenderer.invoke('penny:invoke', { name, input, session }),
  subscribe: (event: string, cb: Listener) => {
    const set = listeners.get(event) ?? new Set<Listener>();
    set.add(cb);
    listeners.set(event, set);
    return () => set.delete(cb);
  },
  pathForFile: (file: File) => webUtils.getPathForFile(file),
});
