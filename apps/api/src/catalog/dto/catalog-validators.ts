import { ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { parseCardNumber } from '@botfleet/catalog';

/** For optional fields that may be left out but not set to null (the column is NOT NULL). */
export const Present = () => ValidateIf((_: unknown, v: unknown) => v !== undefined);

/** The property must be in the body (null allowed): `{ "value": null }` is a value, `{}` is not. */
export function IsPresent(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPresent',
      validator: {
        validate: (value: unknown) => value !== undefined,
        defaultMessage: (args) => `${args?.property} is required (null is allowed where the key is nullable)`,
      },
    },
    options,
  );
}

/** A card number the domain accepts (digits, optional single space/hyphen groups, 12–19 digits, Luhn). */
export function IsCardNumber(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCardNumber',
      validator: {
        validate: (value: unknown) => parseCardNumber(value).ok,
        defaultMessage: (args) => {
          const check = parseCardNumber(args?.value);
          return `${args?.property} ${check.ok ? 'is invalid' : check.error}`;
        },
      },
    },
    options,
  );
}

/** An object with at least one of `keys` set. */
export function HasOneOf(keys: readonly string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasOneOf',
      constraints: [keys],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          keys.some((k) => (value as Record<string, unknown>)[k] !== undefined),
        defaultMessage: (args) => `${args?.property} must have at least one of: ${keys.join(', ')}`,
      },
    },
    options,
  );
}
