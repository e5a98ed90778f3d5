#!/usr/bin/env node
// Runs the TypeScript entry point of the foldwise CLI under tsx (registered in this process).
'use strict';
const path = require('node:path');
require('tsx/cjs/api').register();
require(path.join(__dirname, '..', 'src', 'main.ts'));
