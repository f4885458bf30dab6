/** A one-line progress indicator on stderr, only on a terminal, cleared when done. */
export function progress(total: number, label: string): { tick(item: string): void; done(): void } {
  const on = Boolean(process.stderr.isTTY) && total > 5;
  let count = 0;
  return {
    tick(item: string) {
      count++;
      if (on) process.stderr.write(`\r\u001b[2K${label} ${count}/${total} ${item.slice(-60)}`);
    },
    done() {
      if (on) process.stderr.write('\r\u001b[2K');
    },
  };
}
