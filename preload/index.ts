// Preload of every window (bundled to ONE CommonJS file: out/preload/index.cjs; sandboxed preloads
// cannot load other files). All logic is in api.ts.
import { contextBridge, ipcRenderer } from 'electron';
import { exposeUcwa } from './api.ts';

exposeUcwa(contextBridge, ipcRenderer);
