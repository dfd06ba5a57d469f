// A real OpenID provider for the single sign-on tests: the npm package
// `oidc-provider` (installed by scripts/test), configured here with one
// confidential client and the test's accounts. Its development login and
// consent pages stand in for a user at the provider.
//
// Environment: OIDC_PROVIDER_MODULE (the package's lib/index.js), PORT,
// CLIENT_SECRET, REDIRECT_URI, ACCOUNTS (JSON: login -> {email}).
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER_MODULE).href);
const port = Number(process.env.PORT);
const accounts = JSON.parse(process.env.ACCOUNTS);

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'oversight',
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true },
  claims: { email: ['email', 'email_verified'], profile: ['preferred_username'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, email_verified: true, preferred_username: id };
      },
    };
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`ready ${port}`));
