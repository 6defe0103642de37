// The console's build: served by the gateway under /console/, every file from its own origin
// (no inline script, no external font or script: the gateway's CSP forbids both).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig(({ command }) => ({
  base: "/console/",
  // React's production build whatever NODE_ENV the caller has (jest runs with NODE_ENV=test).
  define: command === "build" ? { "process.env.NODE_ENV": JSON.stringify("production") } : {},
  resolve: {
    alias: {
      // OPERATION_ROLES itself (data only), so the console shows each role what the gateway allows it.
      "@dgg/operation-roles": fileURLToPath(new URL("../packages/common/src/operation-roles-table.ts", import.meta.url)),
    },
  },
  esbuild: { jsx: "automatic", jsxDev: command !== "build" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The preload polyfill would be an inline script; every browser the console targets has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL("index.html", import.meta.url)),
        callback: fileURLToPath(new URL("oidc-callback.html", import.meta.url)),
      },
    },
  },
}));
