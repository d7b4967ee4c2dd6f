/**
 * Work done after the caller has been answered, so that what it costs (a lookup, an email) never
 * shows in the response time. Bounded: when the queue is full, `run` throws ServiceUnavailable at
 * once. A failure of the work is logged, never thrown to the caller. Stopping the app finishes the
 * work already queued; a crash loses it (the caller may simply ask again).
 */
export interface BackgroundTasks {
  run(name: string, work: () => Promise<void>): void;
}
