import type { CliCommand } from './types.js';
import { foundationCommands } from './commands/foundation.js';
import { serveCommand } from './commands/serve.js';
import { camerasCliCommands } from './commands/cameras.js';
import { networkCommands } from './commands/network.js';
import { facesCliCommands } from './commands/faces.js';
import { alertsCliCommands } from './commands/alerts.js';
import { posCliCommands } from './commands/pos.js';
import { videoCliCommands } from './commands/video.js';
import { syncCliCommands } from './commands/sync.js';
import { demoCliCommands } from './commands/demo.js';
import { casesCliCommands } from './commands/cases.js';

/** Every `penny` subcommand. Add a domain's list here. */
export const CLI_COMMANDS: CliCommand[] = [serveCommand, ...foundationCommands, ...camerasCliCommands, ...facesCliCommands, ...alertsCliCommands, ...networkCommands, ...posCliCommands, ...videoCliCommands, ...demoCliCommands, ...casesCliCommands, ...syncCliCommands];
