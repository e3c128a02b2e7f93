/**
 * The result store's tables. One row per sweep, per cell, per run; a run's measurements and (optionally) its end
 * point live in their own tables keyed like the run, so a run row and its result are written in one transaction.
 *
 * Bump `STORE_SCHEMA_VERSION` whenever a table changes, and add a `Migration` from the previous version: opening an
 * older store then says which command upgrades it, and a newer store is refused instead of misread.
 */
export const STORE_FORMAT = 'basin-results';
export const STORE_SCHEMA_VERSION = 3;

export const SCHEMA_V1: readonly string[] = [
  `CREATE TABLE basin_store (
     format VARCHAR NOT NULL,
     schema_version INTEGER NOT NULL,
     created_at TIMESTAMP NOT NULL,
     created_by VARCHAR NOT NULL)`,
  `CREATE TABLE sweeps (
     sweep VARCHAR PRIMARY KEY,
     runner VARCHAR NOT NULL,
     seed BIGINT NOT NULL,
     repetitions INTEGER NOT NULL,
     spec_json VARCHAR NOT NULL,
     spec_hash VARCHAR NOT NULL,
     code_version VARCHAR NOT NULL,
     created_at TIMESTAMP NOT NULL)`,
  `CREATE TABLE cells (
     sweep VARCHAR NOT NULL,
     cell_hash VARCHAR NOT NULL,
     cell_index INTEGER NOT NULL,
     config_json VARCHAR NOT NULL,
     PRIMARY KEY (sweep, cell_hash))`,
  `CREATE TABLE runs (
     sweep VARCHAR NOT NULL,
     cell_hash VARCHAR NOT NULL,
     repetition INTEGER NOT NULL,
     seed BIGINT NOT NULL,
     status VARCHAR NOT NULL CHECK (status IN ('ok', 'failed')),
     error VARCHAR,
     started_at TIMESTAMP NOT NULL,
     duration_ms DOUBLE NOT NULL,
     host VARCHAR NOT NULL,
     worker INTEGER NOT NULL,
     code_version VARCHAR NOT NULL,
     PRIMARY KEY (sweep, cell_hash, repetition))`,
  `CREATE TABLE results (
     sweep VARCHAR NOT NULL,
     cell_hash VARCHAR NOT NULL,
     repetition INTEGER NOT NULL,
     final_loss DOUBLE NOT NULL,
     mse DOUBLE NOT NULL,
     mce DOUBLE,
     gradient_norm DOUBLE,
     kink_margin DOUBLE,
     min_eigenvalue DOUBLE,
     max_eigenvalue DOUBLE,
     morse_index INTEGER,
     verdict VARCHAR,
     iterations INTEGER,
     constant_output BOOLEAN,
     extra_json VARCHAR,
     PRIMARY KEY (sweep, cell_hash, repetition))`,
  `CREATE TABLE weights (
     sweep VARCHAR NOT NULL,
     cell_hash VARCHAR NOT NULL,
     repetition INTEGER NOT NULL,
     architecture_json VARCHAR NOT NULL,
     theta BLOB NOT NULL,
     PRIMARY KEY (sweep, cell_hash, repetition))`,
];

/** SQL that turns a store of schema version `from` into version `from + 1`. */
export interface Migration {
  readonly from: number;
  readonly statements: readonly string[];
}

/**
 * Every migration basin knows, oldest first. A new store is created as version 1 and brought up to date by these.
 *
 * - 1 → 2: `results.backend`, the backend that computed the run (`reference`, `onnx`), and `results.lockstep_runs`,
 *   how many runs were trained together in lock-step with it (1: alone). Both null for runs stored before.
 * - 2 → 3: `results.end_point_class`, the certified class of the end point (src/sweep/end-point-class.ts: global,
 *   sub-optimal-min, saddle, kink, undecided, not-converged), null for a run that was not certified. Runs stored
 *   before keep null; reading them classifies those that carry a certificate in `extra_json`.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    statements: [
      'ALTER TABLE results ADD COLUMN backend VARCHAR',
      'ALTER TABLE results ADD COLUMN lockstep_runs INTEGER',
    ],
  },
  { from: 2, statements: ['ALTER TABLE results ADD COLUMN end_point_class VARCHAR'] },
];
