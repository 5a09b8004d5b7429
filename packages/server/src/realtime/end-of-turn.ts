/** Something that writes out, in one go, what it gathered during the current event-loop turn. */
export interface GatheredWrites {
  writeGathered(): void;
}

/**
 * Runs each scheduled writer once, after the current event-loop turn (`setImmediate`): the frames a connection
 * gets while a batch of committed events fans out (often several events and the acks of its own sends) leave in
 * one socket write, one system call, instead of one each. A writer scheduled again after its turn is run again.
 */
export class EndOfTurn {
  #due: GatheredWrites[] = [];

  schedule(writer: GatheredWrites): void {
    if (this.#due.push(writer) === 1) setImmediate(this.#run);
  }

  readonly #run = (): void => {
    const due = this.#due;
    this.#due = [];
    for (const writer of due) writer.writeGathered();
  };
}
