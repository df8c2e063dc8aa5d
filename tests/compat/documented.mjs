// The JavaScript examples of the PassGeni, TinyFn and Bastion pages, run as written but for the
// base URL and the key: node documented.mjs <base URL> <api key> <email for Bastion's register>.
import assert from "node:assert/strict";

const [base, key, email] = process.argv.slice(2);
process.env.PASSGENI_API_KEY = key;
process.env.TINYFN_KEY = key;

// PassGeni: "Pick your language" / "Code examples".
{
  const res = await fetch(`${base}/api/v1/generate`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ apiKey: process.env.PASSGENI_API_KEY, profession: "developer", length: 20, count: 5, compliance: "hipaa", // team plan only
  }), }); const { passwords, entropy } = await res.json();
  assert.equal(res.status, 200);
  assert.equal(passwords.length, 5);
  assert.ok(passwords.every((p) => p.length === 20), passwords.join(" "));
  assert.ok(Number.isInteger(entropy) && entropy > 0, `entropy ${entropy}`);
  for (const name of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]) {
    assert.ok(/^\d+$/.test(res.headers.get(name) ?? ""), name);
  }
}

// TinyFn: "JavaScript - User Registration".
{
  async function generateTempPassword() {
  const response = await fetch(
  `${base}/v1/generate/password?length=12`,
  { headers: { 'X-API-Key': process.env.TINYFN_KEY } }
  );
  const { password } = await response.json();
  return password;
  }
  const tempPassword = await generateTempPassword();
  assert.equal(tempPassword.length, 12);
}

// Bastion: "Your first request" (register, then evaluate hunter2 with the new key), "Evaluate a
// password" with its error handling, "Skip the breach check", "Check usage", "Regenerate a key".
{
  let res = await fetch(`${base}/v1/keys/register`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email }) }); const { api_key, regen_token } = await res.json();
  assert.equal(res.status, 201);
  assert.ok(api_key.startsWith("pwa_live_") && regen_token.startsWith("pwa_regen_"));

  res = await fetch(`${base}/v1/evaluate`, { method: "POST", headers: { "Authorization": `Bearer ${api_key}`, "Content-Type": "application/json" }, body: JSON.stringify({ password: "hunter2" }) }); const result = await res.json();
  assert.equal(res.status, 200);
  assert.ok(result.score <= 1 && ["Very Weak", "Weak"].includes(result.strength), result.strength);
  assert.equal(result.breached, true);
  assert.ok(result.breach_count > 0);
  for (const scenario of ["online_throttled", "online_unthrottled", "offline_slow_hash", "offline_fast_hash"]) {
    assert.equal(typeof result.crack_times[scenario], "string");
  }

  res = await fetch(`${base}/v1/evaluate`, { method: "POST", headers: { "Authorization": `Bearer ${api_key}`, "Content-Type": "application/json" }, body: JSON.stringify({ password: "correct-horse-battery-staple" }) }); if (!res.ok) { const { error, message } = await res.json(); console.error(error, message); assert.fail(error); } else { const result = await res.json(); assert.equal(typeof result.score, "number"); }

  res = await fetch(`${base}/v1/evaluate?hibp=false`, { method: "POST", headers: { "Authorization": `Bearer ${api_key}`, "Content-Type": "application/json" }, body: JSON.stringify({ password: "correct-horse-battery-staple" }) });
  const skipped = await res.json();
  assert.equal(skipped.breached, null);
  assert.equal(skipped.breach_count, null);

  res = await fetch(`${base}/v1/keys/usage`, { headers: { "Authorization": `Bearer ${api_key}` } }); const { tier, usage, limit, reset_at } = await res.json(); console.log(`${usage} / ${limit} requests used`);
  assert.equal(usage, 3);
  assert.equal(limit, 100);
  assert.equal(tier, "free");
  assert.ok(Number.isInteger(reset_at));

  res = await fetch(`${base}/v1/keys/regenerate`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, regen_token }) }); const renewed = await res.json();
  assert.equal(res.status, 200);
  assert.notEqual(renewed.api_key, api_key);

  // An invalidated key: the error handling of "Evaluate a password".
  res = await fetch(`${base}/v1/evaluate`, { method: "POST", headers: { "Authorization": `Bearer ${api_key}`, "Content-Type": "application/json" }, body: JSON.stringify({ password: "hunter2" }) });
  assert.equal(res.ok, false);
  const { error, message } = await res.json();
  assert.equal(error, "API_KEY_NOT_FOUND");
  assert.ok(message);
}
console.log("javascript examples: ok");
