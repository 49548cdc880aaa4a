#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli.ts into dist/ by `npm ci` (prepare script).
import '../dist/src/cli.js';
