#!/usr/bin/env node
// @ts-check
import { main } from '../src/cli.mjs';

process.exitCode = main(process.argv.slice(2), { cwd: process.env['INIT_CWD'] ?? process.cwd() });
