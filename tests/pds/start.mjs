// A throwaway Bluesky server for the test suite: an in-memory PLC directory plus the reference PDS
// (@atproto/pds 0.4.217, which still runs on Node 20), both bound to 127.0.0.1 only.
//
// Usage: node start.mjs --pds-port N --plc-port M --data-dir DIR
//        (or PDS_PORT / PLC_PORT / PDS_DATA_DIR in the environment; a port of 0 picks a free one)
// Prints ONE JSON line on stdout when ready: {"pds": "http://localhost:N", "plc": "http://localhost:M",
// "admin_password": "...", "pid": ...}. Stops cleanly on SIGTERM / SIGINT.
// Everything else (the PDS's own logs) goes to stderr so stdout stays machine-readable.

import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'

import * as plc from '@did-plc/server'
import { Secp256k1Keypair } from '@atproto/crypto'
import { PDS, envToCfg, envToSecrets } from '@atproto/pds'

function arg(name, envName, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  if (i !== -1 && i + 1 < process.argv.length) return process.argv[i + 1]
  return process.env[envName] ?? fallback
}

const pdsPortWanted = Number(arg('pds-port', 'PDS_PORT', '0'))
const plcPortWanted = Number(arg('plc-port', 'PLC_PORT', '0'))
const dataDir = path.resolve(arg('data-dir', 'PDS_DATA_DIR', fs.mkdtempSync('/tmp/newsbot-pds-')))
const adminPassword = arg('admin-password', 'PDS_ADMIN_PASSWORD', 'admin-pass')

function listen(app, port) {
  // Loopback only: the stock start() helpers bind to every interface.
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1')
    server.once('error', reject)
    server.once('listening', () => resolve(server))
  })
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections?.() // keep-alive sockets would hold close() open
  })
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = http.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// Handles under `.test` have no DNS: ask this PDS's /.well-known/atproto-did with the handle as Host.
// node:http because fetch() drops a custom Host header.
function resolveHandleLocally(pdsPort) {
  return (handle) =>
    new Promise((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: pdsPort, path: '/.well-known/atproto-did', headers: { Host: handle } },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk) => (body += chunk))
          res.on('end', () => {
            const did = body.trim()
            resolve(res.statusCode === 200 && did.startsWith('did:') ? did : undefined)
          })
        },
      )
      req.on('error', () => resolve(undefined))
      req.setTimeout(5000, () => req.destroy())
      req.end()
    })
}

async function main() {
  fs.mkdirSync(dataDir, { recursive: true })

  const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: plcPortWanted })
  const plcHttp = await listen(plcServer.app, plcPortWanted)
  const plcPort = plcHttp.address().port
  const plcUrl = `http://localhost:${plcPort}`

  // The PDS needs its port in its config (it is part of its DID document / service URL), so choose
  // one now when the caller left it to us.
  const pdsPort = pdsPortWanted || (await freePort())

  const rotationKey = await Secp256k1Keypair.create({ exportable: true })
  const rotationKeyHex = Buffer.from(await rotationKey.export()).toString('hex')
  const recoveryKey = await Secp256k1Keypair.create()

  const env = {
    devMode: true,
    hostname: 'localhost',
    port: pdsPort,
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    adminPassword,
    jwtSecret: crypto.randomBytes(16).toString('hex'),
    plcRotationKeyK256PrivateKeyHex: rotationKeyHex,
    recoveryDidKey: recoveryKey.did(),
    crawlers: [],
    rateLimitsEnabled: false,
    // No AppView: nothing leaves this machine; app.bsky.* reads simply fail.
    bskyAppViewUrl: 'http://127.0.0.1:9',
    bskyAppViewDid: 'did:example:invalid',
  }

  const pds = await PDS.create(envToCfg(env), envToSecrets(env))
  pds.ctx.idResolver.handle.resolve = resolveHandleLocally(pdsPort)

  await pds.ctx.sequencer.start()
  const pdsHttp = await listen(pds.app, pdsPort)

  let stopping = false
  async function stop(signal) {
    if (stopping) return
    stopping = true
    process.stderr.write(`pds: ${signal}, stopping\n`)
    const force = setTimeout(() => process.exit(0), 5000)
    force.unref()
    try {
      await closeServer(pdsHttp)
      await pds.destroy()
    } catch (err) {
      process.stderr.write(`pds: error while stopping: ${err}\n`)
    }
    try {
      await closeServer(plcHttp)
      await plcServer.ctx.db.close()
    } catch (err) {
      process.stderr.write(`plc: error while stopping: ${err}\n`)
    }
    process.exit(0)
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))

  process.stdout.write(
    JSON.stringify({
      pds: `http://localhost:${pdsPort}`,
      plc: plcUrl,
      admin_password: adminPassword,
      data_dir: dataDir,
      pid: process.pid,
    }) + '\n',
  )
}

main().catch((err) => {
  process.stderr.write(`pds: failed to start: ${err?.stack ?? err}\n`)
  process.exit(1)
})
