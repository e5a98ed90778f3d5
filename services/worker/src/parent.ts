/**
 * Calls `onGone` once when the process that started this one with an IPC channel (the `foldwise worker` CLI) is gone,
 * however it ended (SIGKILL included): the kernel closes the channel, which Node reports as `disconnect`. The channel
 * does not keep this process alive, and a process started without one is left alone. Once the parent is gone, writes
 * through `process.stdout`/`process.stderr` to a pipe it was reading fail with EPIPE; those errors are ignored.
 */
export function watchParent(onGone: () => void): void {
  if (!process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => {
    for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
    onGone();
  });
}
