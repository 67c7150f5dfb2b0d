#!/usr/bin/env node
/** The `myelin` command. All logic lives in run.ts so that tests can call it directly. */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2));
