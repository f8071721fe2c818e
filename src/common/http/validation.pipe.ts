import { ArgumentMetadata, Injectable, PipeTransform, ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ValidationError, ValidationIssue } from '../errors';

export function flatten(errors: ClassValidatorError[], where: string, parent: (string | number)[] = []): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const e of errors) {
    const loc = [...parent, /^\d+$/.test(e.property) ? Number(e.property) : e.property];
    for (const [type, msg] of Object.entries(e.constraints ?? {})) {
      out.push({ loc: [where, ...loc], type: type === 'whitelistValidation' ? 'extra_forbidden' : type, msg, input: e.value });
    }
    if (e.children?.length) out.push(...flatten(e.children, where, loc));
  }
  return out;
}

function pipe(where: 'body' | 'query' | 'path' | 'header', strict: boolean): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: strict,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new ValidationError(flatten(errors, where)),
  });
}

/**
 * Validation issues are data: the core ValidationError carries field path, code, message and
 * input, so each profile renders its own shape. Unknown body fields are refused; unknown query
 * parameters (iCure's `ts`) are dropped.
 */
@Injectable()
export class CoreValidationPipe implements PipeTransform {
  private readonly body = pipe('body', true);
  private readonly query = pipe('query', false);
  private readonly param = pipe('path', false);

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body') {
      if (
        metadata.metatype &&
        ![Object, String, Array].includes(metadata.metatype as never) &&
        (value === null || typeof value !== 'object' || Array.isArray(value))
      ) {
        if (value === undefined || value === null || value === '')
          throw new ValidationError([{ loc: ['body'], type: 'missing', msg: 'A JSON object body is required', input: value }]);
        throw new ValidationError([{ loc: ['body'], type: 'model_attributes_type', msg: 'The body must be a JSON object', input: value }]);
      }
      return this.body.transform(value, metadata);
    }
    if (metadata.type === 'query') return this.query.transform(value, metadata);
    // A named string path parameter: what ValidationPipe would answer (the string), without its async round.
    if (metadata.type === 'param' && metadata.metatype === String && metadata.data && typeof value === 'string') return value;
    if (metadata.type === 'param') return this.param.transform(value, metadata);
    return value;
  }
}

/** Validates a JSON array body item by item (e.g. PropertyStub[]), with the same issue format. */
export class ArrayBodyPipe<T extends object> implements PipeTransform {
  constructor(
    private readonly item: new () => T,
    private readonly maxItems = 1000,
  ) {}

  transform(value: unknown): T[] {
    if (!Array.isArray(value))
      throw new ValidationError([{ loc: ['body'], type: 'list_type', msg: 'The body must be a JSON array', input: value }]);
    if (value.length > this.maxItems)
      throw new ValidationError([{ loc: ['body'], type: 'too_long', msg: `At most ${this.maxItems} items are allowed` }]);
    const issues: ValidationIssue[] = [];
    const out = value.map((v, i) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        issues.push({ loc: ['body', i], type: 'model_type', msg: 'Each item must be a JSON object', input: v });
        return v as T;
      }
      const instance = plainToInstance(this.item, v);
      issues.push(
        ...flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), 'body').map((x) => ({
          ...x,
          loc: ['body', i, ...x.loc.slice(1)],
        })),
      );
      return instance;
    });
    if (issues.length) throw new ValidationError(issues);
    return out;
  }
}
