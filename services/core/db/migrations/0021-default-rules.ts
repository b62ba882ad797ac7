import type { Migration } from '../migrate.js';
import { RuleDefinition } from '../../../contract/commands/rules.js';
import { DEFAULT_RULES } from '../../rules/default-pack.js';

/** Seeds the default rule pack (validated, so a typo in the pack fails the migration, not a rule run). */
export const m0021: Migration = {
  version: 21,
  name: '0021-default-rules',
  up(db) {
    const insert = db.prepare('INSERT OR IGNORE INTO rule (id, definition, built_in, updated_at) VALUES (?, ?, 1, ?)');
    const now = Date.now();
    for (const r of DEFAULT_RULES) {
      const def = RuleDefinition.parse(r);
      insert.run(def.id, JSON.stringify(def), now);
    }
  },
};
