import { ValidateBy, ValidationOptions } from 'class-validator';

/** An object whose JSON text is at most `max` characters (class-validator has no size check for objects). */
export function MaxJsonLength(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonLength',
      constraints: [max],
      validator: {
        validate: (value: unknown) => {
          try {
            return JSON.stringify(value ?? null).length <= max;
          } catch {
            return false;
          }
        },
        defaultMessage: (args) => `${args?.property} must be at most ${max} characters as JSON`,
      },
    },
    options,
  );
}
