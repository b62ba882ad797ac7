#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so there is no build step between an edit and `penny`.
import { register } from 'tsx/esm/api';

register();
await import('../services/transport/cli/main.ts');
