#!/usr/bin/env node
import '../dist/x-ralio.js'
