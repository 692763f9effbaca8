// `npm start`: the whole system with embedded defaults. Ctrl-C stops every part.
import { runUntilStopped } from "./run.ts"

await runUntilStopped(process.env)
