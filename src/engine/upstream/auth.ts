/**
 * Consumed-API authentication, compiled once: every value is a template over
 * binds and call parameters. apikey goes in any header (Authorization
 * included — the reference's connector silently drops it) or in the query
 * string (percent-encoded); bearer and basic set Authorization. Digest auth
 * needs the server's challenge, so it is answered by the operation after a
 * first 401 (RFC 7616, see `digest.ts`).
 */
import type { Authentication } from '../../capability/model.js';
import type { Redactor } from '../redact.js';
import { Template, type Lookup } from '../templates.js';

export interface AuthApplier {
  /** Template variables the auth values use (to resolve binds ahead of the call). */
  variables: string[];
  apply(lookup: Lookup, headers: Record<string, string>, query: URLSearchParams, redactor?: Redactor): void;
  /** For digest: credentials used to answer a challenge. */
  digest?: (lookup: Lookup) => { username: string; password: string };
}

/**
 * `isOperatorValue` tells which template variables the operator controls (binds, tokens): only values
 * derived from those alone may be registered with the global redactor (it must not grow per caller).
 */
export function compileAuth(auth: Authentication | undefined, isOperatorValue?: (path: string) => boolean): AuthApplier | undefined {
  if (!auth) return undefined;
  switch (auth.type) {
    case 'apikey': {
      const key = Template.compile(auth.key);
      const value = Template.compile(auth.value);
      return {
        variables: [...key.variables, ...value.variables].map((v) => v.path),
        apply(lookup, headers, query) {
          const name = key.render(lookup);
          if (auth.placement === 'query') query.set(name, value.render(lookup));
          else headers[name.toLowerCase()] = value.render(lookup);
        },
      };
    }
    case 'bearer': {
      const token = Template.compile(auth.token);
      return {
        variables: token.variables.map((v) => v.path),
        apply(lookup, headers) {
          headers.authorization = `Bearer ${token.render(lookup)}`;
        },
      };
    }
    case 'basic': {
      const username = Template.compile(auth.username);
      const password = Template.compile(auth.password);
      return {
        variables: [...username.variables, ...password.variables].map((v) => v.path),
        apply(lookup, headers, _query, redactor) {
          const credential = Buffer.from(`${username.render(lookup)}:${password.render(lookup)}`).toString('base64');
          // The encoded pair is as secret as the password. It is registered whole only when no caller input
          // shapes it (a caller-templated username would grow the redactor per caller); otherwise the
          // operator's parts are registered with their base64 forms, which hide them inside any such pair.
          const parts = [...username.variables, ...password.variables].map((v) => v.path);
          if (parts.every((path) => isOperatorValue?.(path) ?? false)) redactor?.add(credential);
          else {
            for (const path of parts) if (isOperatorValue?.(path)) redactor?.add(String(lookup(path) ?? ''), { base64: true });
            if (password.isStatic) redactor?.add(password.source, { base64: true });
          }
          headers.authorization = `Basic ${credential}`;
        },
      };
    }
    case 'digest': {
      const username = Template.compile(auth.username);
      const password = Template.compile(auth.password);
      return {
        variables: [...username.variables, ...password.variables].map((v) => v.path),
        apply() {
          // Nothing up front: digest answers the server's challenge (RFC 7616).
        },
        digest: (lookup) => ({ username: username.render(lookup), password: password.render(lookup) }),
      };
    }
    case 'oauth2':
      // Resource-server settings describe inbound auth; they do nothing on an outbound call.
      return undefined;
  }
}
