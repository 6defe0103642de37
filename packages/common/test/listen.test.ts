/**
 * Scenario: a service starts on a port that is already taken (a test suite's pre-chosen port
 * taken by another, a replica restarted before the old one let go). Starting must fail with
 * EADDRINUSE, not hang: Express 5 hands the error to the listen callback.
 */
import express from "express";
import { listen } from "../src/subgraph-server";

describe("listen", () => {
  it("rejects with EADDRINUSE on a taken port, and still serves on a free one", async () => {
    const first = await listen(express(), 0);
    try {
      const port = Number(new URL(first.url).port);
      await expect(listen(express(), port)).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await first.close();
    }
  });
});
