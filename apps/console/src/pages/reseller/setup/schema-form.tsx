import {
  JsonInput,
  MultiSelect,
  NumberInput,
  PasswordInput,
  Select,
  Switch,
  TagsInput,
  TextInput,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** A schema as the API describes configuration values and feature configs (libs/catalog settings/schema.ts). */
export interface JsonSchema {
  type: 'string' | 'integer' | 'boolean' | 'uuid' | 'array' | 'object';
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: string[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
}

export const asSchema = (s: unknown): JsonSchema => s as JsonSchema;

/** Whether one form field can edit a value of this schema (else the value is edited as JSON). */
export function isSimple(s: JsonSchema): boolean {
  if (s.type === 'boolean' || s.type === 'integer' || s.type === 'string' || s.type === 'uuid') return true;
  if (s.type === 'array' && s.items) return (s.items.type === 'string' && !!s.items.enum) || s.items.type === 'integer';
  return false;
}

/** An object schema whose every property is simple: edited as a small form. */
export function isSimpleObject(s: JsonSchema): boolean {
  return s.type === 'object' && !!s.properties && Object.values(s.properties).every(isSimple);
}

/** Camel or snake case as words: `minTopUpMinor` → "Min top up minor". */
export function humanize(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One input for a value of a simple schema. `undefined` means "not set" (the default applies). */
export function SchemaInput({
  schema,
  label,
  description,
  value,
  onChange,
  error,
  secretSet,
  options,
}: {
  schema: JsonSchema;
  label: string;
  description?: string;
  value: unknown;
  onChange: (v: unknown) => void;
  error?: string;
  /** A secret field: never shown back; `true` when one is stored. */
  secretSet?: boolean;
  /** Choices for a uuid (the trial plan). */
  options?: { value: string; label: string }[];
}) {
  const { t } = useTranslation('setup');
  const common = { label, description, error, 'data-field': label };
  switch (schema.type) {
    case 'boolean':
      return (
        <Switch
          label={label}
          description={description}
          error={error}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'integer':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(v === '' ? undefined : typeof v === 'number' ? v : Number(v))}
          min={schema.minimum}
          max={schema.maximum}
          allowDecimal={false}
          placeholder={schema.minimum !== undefined ? `${schema.minimum} – ${schema.maximum}` : undefined}
        />
      );
    case 'uuid':
      return options ? (
        <Select
          {...common}
          data={options}
          value={typeof value === 'string' ? value : null}
          onChange={(v) => onChange(v ?? null)}
          clearable={schema.nullable}
          placeholder={t('notSet')}
        />
      ) : (
        <TextInput
          {...common}
          dir="ltr"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value || (schema.nullable ? null : undefined))}
        />
      );
    case 'string':
      if (schema.enum)
        return (
          <Select
            {...common}
            data={schema.enum.map((v) => ({ value: v, label: t(`enum_${v}`, { defaultValue: v }) }))}
            value={typeof value === 'string' ? value : null}
            onChange={(v) => onChange(v ?? undefined)}
            clearable
          />
        );
      if (secretSet !== undefined)
        return (
          <PasswordInput
            {...common}
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => onChange(e.currentTarget.value || undefined)}
            placeholder={secretSet ? t('secretKept') : undefined}
            autoComplete="off"
          />
        );
      return (
        <TextInput
          {...common}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
          maxLength={schema.maxLength}
        />
      );
    case 'array':
      if (schema.items?.type === 'string' && schema.items.enum)
        return (
          <MultiSelect
            {...common}
            data={schema.items.enum.map((v) => ({ value: v, label: t(`enum_${v}`, { defaultValue: v }) }))}
            value={Array.isArray(value) ? (value as string[]) : []}
            onChange={(v) => onChange(v)}
          />
        );
      return (
        <TagsInput
          {...common}
          description={description ?? t('numbersHint')}
          value={Array.isArray(value) ? (value as number[]).map(String) : []}
          onChange={(v) => onChange(v.map((x) => Number(x.replace(/[,\s]/g, ''))))}
        />
      );
    default:
      return null;
  }
}

/** A value edited as JSON: the text is checked as JSON before it is sent; the API checks it against the schema. */
export function JsonField({
  label,
  description,
  text,
  onChange,
  error,
}: {
  label: string;
  description?: string;
  text: string;
  onChange: (text: string) => void;
  error?: string;
}) {
  const { t } = useTranslation('setup');
  let parseError: string | undefined;
  try {
    JSON.parse(text);
  } catch {
    parseError = t('invalidJson');
  }
  return (
    <JsonInput
      label={label}
      description={description}
      value={text}
      onChange={onChange}
      error={parseError ?? error}
      formatOnBlur
      autosize
      minRows={4}
      maxRows={16}
      dir="ltr"
      validationError={t('invalidJson')}
    />
  );
}

/** Parses JSON text or returns undefined. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
