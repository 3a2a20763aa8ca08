// The reference atproto stack (PLC, PDS, AppView from @atproto/dev-env) on 127.0.0.1, seeded with a small
// bike shop's Bluesky life, and a control server the end-to-end test drives it with.
//
// Needs DB_POSTGRES_URL and REDIS_HOST (the AppView's). Prints one line of JSON when ready:
// {"control": "http://127.0.0.1:PORT"}. Control calls (POST, JSON in and out):
//   /info            the PDS address, the shop's handle, DID and app password, the customers' DIDs
//   /expire          {accessJwt}: the same token, signed with the dev JWT secret, expired an hour ago
//   /post            {by, text, replyTo?}: a post (or a reply to a post's URI) by "shop", "alice" or "bob"
//   /revoke          revokes the shop's app password (its sessions can no longer be renewed)
//   /stop            closes the network and exits
import http from 'node:http'
import * as jose from 'jose'
import { TestNetwork } from '@atproto/dev-env'
import { RichText } from '@atproto/api'
import { createSecretKeyObject } from '@atproto/pds'

const JWT_SECRET = 'jwt-secret' // @atproto/dev-env's own, exported for tests
const APP_PASSWORD_NAME = 'earshot'

const network = await TestNetwork.create({ dbPostgresSchema: "earshot" })
const sc = network.getSeedClient()
const accounts = {}
const HANDLES = { shop: 'spokeandchain.test', alice: 'alice.test', bob: 'bob.test' }
for (const [name, handle] of Object.entries(HANDLES)) {
  const account = await sc.createAccount(name, {
    email: `${name}@example.test`,
    handle,
    password: `${name}-account-password`,
  })
  accounts[name] = account
}
const agent = network.pds.getAgent()
await agent.login({ identifier: HANDLES.shop, password: 'shop-account-password' })
await agent.upsertProfile(() => ({ displayName: 'Spoke & Chain', description: 'Bike repairs and e-bikes' }))
const { data: appPassword } = await agent.com.atproto.server.createAppPassword({ name: APP_PASSWORD_NAME })

const refs = {}
async function post(by, text, replyTo) {
  const rt = new RichText({ text })
  await rt.detectFacets(agent) // mentions of @handle.test become facets, as the Bluesky app makes them
  const did = accounts[by].did
  let result
  if (replyTo) {
    const parent = refs[replyTo]
    if (!parent) throw new Error(`no post ${replyTo} to reply to`)
    result = await sc.reply(did, parent, parent, rt.text, rt.facets)
  } else {
    result = await sc.post(did, rt.text, rt.facets)
  }
  refs[result.ref.uriStr] = result.ref
  await network.processAll()
  return { uri: result.ref.uriStr }
}

await post('alice', `@${HANDLES.shop} fixed my wheel in ten minutes, thank you!`)
await post('bob', 'anyone tried cogsworth for a tune-up? need one before saturday')
await post('shop', 'we price-match cogsworth on all tune-ups')

async function expired(accessJwt) {
  const claims = jose.decodeJwt(accessJwt)
  const now = Math.floor(Date.now() / 1000)
  return new jose.SignJWT({ scope: claims.scope })
    .setProtectedHeader({ typ: 'at+jwt', alg: 'HS256' })
    .setAudience(claims.aud)
    .setSubject(claims.sub)
    .setIssuedAt(now - 2 * 3600 - 3600)
    .setExpirationTime(now - 3600)
    .sign(createSecretKeyObject(JWT_SECRET))
}

const routes = {
  '/info': async () => ({
    pds: network.pds.url,
    handle: HANDLES.shop,
    did: accounts.shop.did,
    appPassword: appPassword.password,
    customers: { alice: accounts.alice.did, bob: accounts.bob.did },
  }),
  '/expire': async ({ accessJwt }) => ({ accessJwt: await expired(accessJwt) }),
  '/post': async ({ by, text, replyTo }) => post(by, text, replyTo),
  '/revoke': async () => {
    await agent.com.atproto.server.revokeAppPassword({ name: APP_PASSWORD_NAME })
    return {}
  },
  '/stop': async () => {
    setTimeout(async () => {
      await network.close()
      process.exit(0)
    }, 10)
    return {}
  },
}

const control = http.createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', async () => {
    const route = routes[req.url]
    try {
      if (!route || req.method !== 'POST') throw new Error(`no ${req.method} ${req.url}`)
      const answer = await route(body ? JSON.parse(body) : {})
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e) }))
    }
  })
})
control.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ control: `http://127.0.0.1:${control.address().port}` }))
})
