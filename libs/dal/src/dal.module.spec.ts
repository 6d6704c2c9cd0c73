import { DynamicModule, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { clsByMiddlewareOnly } from './dal.module';

describe('the CLS module as DalModule mounts it', () => {
  const providers = (m: DynamicModule): Provider[] =>
    (m.imports ?? []).flatMap((i) => (i as DynamicModule).providers ?? []);
  const provides = (p: Provider) => (typeof p === 'object' && 'provide' in p ? p.provide : p);

  it('opens a context per request by middleware, without plugin initialisation on each one', () => {
    const mod = clsByMiddlewareOnly();
    const options = providers(mod).find(
      (p) => typeof p === 'object' && 'useValue' in p && 'middleware' in (p.useValue ?? {}),
    );
    expect(options).toMatchObject({ useValue: { middleware: { mount: true, initializePlugins: false } } });
  });

  it('registers no global guard or interceptor (a no-op interceptor still puts every request through RxJS)', () => {
    const all = providers(clsByMiddlewareOnly()).map(provides);
    expect(all).not.toContain(APP_INTERCEPTOR);
    expect(all).not.toContain(APP_GUARD);
    // What it still provides: the options the middleware reads.
    expect(all.length).toBeGreaterThan(0);
  });
});
