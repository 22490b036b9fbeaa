#!/usr/bin/env node
import '../dist/cli/x-mcp.js'
