// A small token server for the distribution registry's bearer-token auth
// (distribution's docs/spec/auth/token.md): the registry is the real one, this
// only issues the JWTs it verifies. Tokens carry the signing certificate in
// `x5c`; the registry trusts it through its `rootcertbundle`.
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { freePort } from './ports.ts';

export interface TokenIssuerOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly service: string;
  readonly issuer: string;
  readonly username: string;
  readonly password: string;
  /** Seconds; small values let tests watch the client refresh. */
  readonly expiresIn?: number;
  /** Serve HTTPS with this certificate: a TLS registry must not send clients to an http realm. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export interface TokenIssuer {
  readonly realm: string;
  /** Every token request seen, in order: for tests of the client's token cache. */
  readonly requests: { readonly scopes: readonly string[]; readonly authenticated: boolean }[];
  stop(): Promise<void>;
}

interface Access { type: string; name: string; actions: string[] }

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function parseScope(scope: string): Access | undefined {
  // repository:<name>:<actions>; the name itself may hold a port-less path only.
  const match = /^([a-z]+):([^:]+(?::[0-9]+)?[^:]*):([a-z*,]+)$/.exec(scope);
  if (match === null) return undefined;
  const [, type = '', name = '', actions = ''] = match;
  return { type, name, actions: actions.split(',') };
}

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const key = createPrivateKey(readFileSync(options.keyFile));
  const certDer = new X509Certificate(readFileSync(options.certFile)).raw;
  const requests: { scopes: string[]; authenticated: boolean }[] = [];

  const issue = (subject: string, access: Access[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: options.issuer, sub: subject, aud: options.service,
      exp: now + (options.expiresIn ?? 300), nbf: now - 10, iat: now, jti: randomUUID(), access,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), key))}`;
  };

  const authenticate = (req: IncomingMessage, form: URLSearchParams): boolean => {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      return user === options.username && rest.join(':') === options.password;
    }
    return form.get('username') === options.username && form.get('password') === options.password;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://token.local');
    const form = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    const scopes = form.getAll('scope').flatMap((s) => s.split(' ')).filter((s) => s !== '');
    const hasCredentials = req.headers.authorization !== undefined || form.has('password');
    const authenticated = hasCredentials && authenticate(req, form);
    requests.push({ scopes, authenticated });
    if (hasCredentials && !authenticated) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"invalid credentials"}]}');
      return;
    }
    // Authenticated users get what they ask for; anonymous callers nothing,
    // so the registry answers 401 and the client must present credentials.
    const access = authenticated ? scopes.map(parseScope).filter((a): a is Access => a !== undefined) : [];
    const token = issue(authenticated ? options.username : '', access);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: options.expiresIn ?? 300, issued_at: new Date().toISOString() }));
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => { handle(req, res, Buffer.concat(chunks).toString('utf8')); });
  };
  const server = options.tls === undefined
    ? createHttpServer(listener)
    : createHttpsServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, listener);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    realm: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}/token`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}
