// Bundled by electron-vite as out/main/core.js: the entry the utilityProcess runs.
import '../services/transport/utility-server.js';
