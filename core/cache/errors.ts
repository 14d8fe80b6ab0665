// Errors that only the models-directory code raises: a lock held by another process, a blob a manifest needs
// but that is missing, and a manifest file that is too large to be a real one.
import { StudioError } from '../errors';

/** Another process holds the models-directory lock for longer than we were willing to wait. */
export class CacheBusy extends StudioError {
  constructor(
    readonly holder: { pid?: number; op?: string; since?: string },
    lockFileName: string,
  ) {
    const who = holder.pid !== undefined ? `process ${holder.pid}` : 'another process';
    const what = holder.op ? ` (${holder.op}${holder.since ? ` since ${holder.since}` : ''})` : '';
    super(
      'CacheBusy',
      `the models directory is busy: ${who}${what} is changing it; try again when it has finished, ` +
        `or delete ${lockFileName} in the models directory if no such process is running`,
    );
  }
}

/** A manifest refers to a blob that is not (completely) in `blobs/`. */
export class BlobMissing extends StudioError {
  constructor(
    readonly digest: string,
    readonly model?: string,
  ) {
    super(
      'BlobMissing',
      `blob ${digest} is missing or incomplete${model ? ` for model '${model}'` : ''}: pull or create the model again`,
    );
  }
}

/** More bytes arrived than were announced: the source is not what it claimed to be. */
export class SizeMismatch extends StudioError {
  constructor(
    readonly received: number,
    readonly expected: number,
  ) {
    super(
      'SizeMismatch',
      `received more bytes than announced (${received} > ${expected}): the source changed or is not the announced ` +
        'blob; fetch it again',
    );
  }
}
