#!/usr/bin/env node
// Checks that docker/kafka-init.sh creates exactly the topics of libs/contracts/src/topics.ts
// (TOPIC_SCHEMAS keys) with TOPIC_PARTITIONS partitions. Reads both files as text: no build needed.
// Usage: node docker/check-topics.js   (exit 1 and a list of differences when they disagree)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const topicsFile = path.join(root, 'libs/contracts/src/topics.ts');
const initFile = path.join(__dirname, 'kafka-init.sh');

const ts = fs.readFileSync(topicsFile, 'utf8');
const block = /TOPIC_SCHEMAS\s*=\s*\{([\s\S]*?)\}\s*as const/.exec(ts);
if (!block) {
  console.error(`${topicsFile}: TOPIC_SCHEMAS = { … } as const not found`);
  process.exit(1);
}
const contractTopics = [...block[1].matchAll(/'([a-z0-9.]+)'\s*:/g)].map((m) => m[1]).sort();
const partitions = /TOPIC_PARTITIONS\s*=\s*(\d+)/.exec(ts);

const sh = fs.readFileSync(initFile, 'utf8');
const list = /^TOPICS="([\s\S]*?)"/m.exec(sh);
if (!list) {
  console.error(`${initFile}: TOPICS="…" list not found`);
  process.exit(1);
}
const initTopics = list[1].split(/\s+/).filter(Boolean).sort();
const defaultPartitions = /TOPIC_PARTITIONS:-(\d+)/.exec(sh);

const problems = [];
for (const t of contractTopics) if (!initTopics.includes(t)) problems.push(`${initFile}: missing topic ${t} (in ${topicsFile})`);
for (const t of initTopics) if (!contractTopics.includes(t)) problems.push(`${initFile}: topic ${t} is not in ${topicsFile} TOPIC_SCHEMAS`);
if (!partitions || !defaultPartitions || partitions[1] !== defaultPartitions[1]) {
  problems.push(`partitions differ: topics.ts TOPIC_PARTITIONS=${partitions?.[1]}, kafka-init.sh default ${defaultPartitions?.[1]}`);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`ok: ${contractTopics.length} topics, ${partitions[1]} partitions each`);
