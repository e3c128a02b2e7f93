import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requiredOrSkip } from './required.js';

/** Real Fashion-MNIST (IDX, gzipped), from Debian's dataset-fashion-mnist package, which .ci/run installs. */
export const FASHION = '/usr/share/datasets/fashion-mnist';

/** The `skip` option for a test that reads `file` of FASHION: false when it is there (required under CI=true). */
export function fashionMnistSkip(file: string): string | false {
  return requiredOrSkip(
    existsSync(join(FASHION, file))
      ? false
      : `${FASHION} has no ${file}: apt-get install dataset-fashion-mnist`,
  );
}
