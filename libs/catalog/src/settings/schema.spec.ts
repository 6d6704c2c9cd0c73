import { CONFIGURATION_KEYS } from './configuration-keys';
import { validateSchema } from './schema';

describe('configuration schemas', () => {
  it('every default satisfies its own schema', () => {
    for (const [key, def] of Object.entries(CONFIGURATION_KEYS)) {
      expect({ key, problems: validateSchema(def.schema, def.default) }).toEqual({ key, problems: [] });
    }
  });

  it('names each bad path', () => {
    const s = CONFIGURATION_KEYS.main_menu_buttons.schema;
    const problems = validateSchema(s, [[{ action: 'nope' }, { url: 'http://insecure', extra: 1 }]]);
    expect(problems.map((p) => p.field).sort()).toEqual(['value[0][0].action', 'value[0][1].extra', 'value[0][1].url']);
  });

  it('enforces ranges, types and uniqueness', () => {
    expect(validateSchema(CONFIGURATION_KEYS.receipt_ttl_minutes.schema, 4)[0].errors[0]).toContain(
      'between 5 and 1440',
    );
    expect(validateSchema(CONFIGURATION_KEYS.receipt_ttl_minutes.schema, 30.5)[0].errors[0]).toContain('integer');
    expect(validateSchema(CONFIGURATION_KEYS.languages.schema, ['fa', 'fa'])[0].errors[0]).toContain('repeat');
    expect(validateSchema(CONFIGURATION_KEYS.languages.schema, [])[0].errors[0]).toContain('at least 1');
    expect(validateSchema(CONFIGURATION_KEYS.trial_plan_id.schema, null)).toEqual([]);
    expect(validateSchema(CONFIGURATION_KEYS.trial_plan_id.schema, 'x')[0].errors[0]).toContain('UUID');
    expect(validateSchema(CONFIGURATION_KEYS.welcome_text.schema, { de: 'Hallo' })[0].field).toBe('value.de');
  });
});
