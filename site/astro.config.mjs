// @ts-check
import { defineConfig } from "astro/config"

// A fully static site: `npm run build:site` writes site/dist, which the humanmark server serves at `/`.
// Nothing is fetched from the network at build or run time (no remote fonts, images or scripts).
export default defineConfig({
  output: "static",
  outDir: "./dist",
  build: { format: "directory" },
  // The page and its client script are same-origin with the API (`/health`): no `site` or base path.
  devToolbar: { enabled: false },
  prefetch: false,
})
