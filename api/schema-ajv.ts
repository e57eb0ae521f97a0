// An ajv instance that validates with a CRD schema as the API server does: the Kubernetes
// extensions are known keywords, and x-kubernetes-validations rules are evaluated (api/cel.ts).
import { Ajv, type AnySchemaObject, type ErrorObject, type FuncKeywordDefinition, type Options } from 'ajv';
import { compileCelRule, type CelRule } from './cel.ts';
import { KUBERNETES_KEYWORDS } from './schema-strict.ts';

export const CEL_KEYWORD = 'x-kubernetes-validations';

type DataValidateFunction = ReturnType<NonNullable<FuncKeywordDefinition['compile']>>;

/** The number of characters as the API server counts them (code points). */
function characters(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function celValidation(rules: CelRule[], parentSchema: AnySchemaObject): DataValidateFunction {
  const compiled = rules.map((rule) => ({ rule, holds: compileCelRule(rule.rule) }));
  const maxLength = typeof parentSchema.maxLength === 'number' ? parentSchema.maxLength : undefined;
  const validate: DataValidateFunction = (data: unknown) => {
    // The API server evaluates no rule once a value is too long (the schema reports it), which
    // also keeps every pattern's input short.
    if (typeof data === 'string' && maxLength !== undefined && data.length > maxLength && characters(data) > maxLength) return true;
    const errors: Partial<ErrorObject>[] = compiled
      .filter(({ holds }) => holds?.(data) === false)
      .map(({ rule }) => ({ keyword: CEL_KEYWORD, message: rule.message, params: { rule: rule.rule, ...(rule.fieldPath ? { fieldPath: rule.fieldPath } : {}) } }));
    validate.errors = errors;
    return errors.length === 0;
  };
  return validate;
}

export function schemaAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, formats: { 'date-time': true, int64: true }, ...options });
  ajv.addVocabulary(KUBERNETES_KEYWORDS.filter((keyword) => keyword !== CEL_KEYWORD));
  ajv.addKeyword({ keyword: CEL_KEYWORD, schemaType: 'array', errors: true, compile: celValidation });
  return ajv;
}
