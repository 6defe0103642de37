// Tests never phone home and never read the developer's .data/ keys.
process.env.APOLLO_TELEMETRY_DISABLED = "true";
