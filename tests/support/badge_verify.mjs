// Verifies an Open Badges credential's Data Integrity proof (eddsa-rdfc-2022) with Digital
// Bazaar's libraries: reads the credential on stdin, prints {"verified", "errors"}. The
// Open Badges context comes from the path given as the first argument (no network).
import {readFileSync} from "node:fs";
import * as vc from "@digitalbazaar/vc";
import {DataIntegrityProof} from "@digitalbazaar/data-integrity";
import {cryptosuite} from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import {securityLoader} from "@digitalbazaar/security-document-loader";

const [openBadgesContext] = process.argv.slice(2);
const loader = securityLoader();
loader.addStatic(
  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
  JSON.parse(readFileSync(openBadgesContext, "utf8")),
);
const credential = JSON.parse(readFileSync(0, "utf8"));
const result = await vc.verifyCredential({
  credential,
  suite: new DataIntegrityProof({cryptosuite}),
  documentLoader: loader.build(),
});
const errors = [];
const collect = (error) => {
  if (!error) return;
  for (const inner of error.errors ?? [error]) errors.push(String(inner.message ?? inner));
};
collect(result.error);
for (const proof of result.results ?? []) collect(proof.error);
console.log(JSON.stringify({verified: result.verified, errors}));
