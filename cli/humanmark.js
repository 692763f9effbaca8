#!/usr/bin/env node
// The `humanmark` command. The CLI is written in TypeScript; tsx (a dependency) loads it directly.
import { register } from "tsx/esm/api"

register()
const { main } = await import("./main.ts")
process.exitCode = await main(process.argv.slice(2))
