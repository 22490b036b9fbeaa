#!/usr/bin/env node
import '../dist/x-relynt.js'
