/** Timers that keep this process alive now (what a CLI process would wait out before exiting). */
export const pendingTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
