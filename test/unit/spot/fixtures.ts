/** A small valid AWS job file: two GPU types, S3 checkpoints, the default policy's tags. */
export const minimalJob = `cloud: aws
regions: [us-east-1]
instanceTypes: [g5.2xlarge, g6.2xlarge]
command: python train.py
code: { repo: https://example.invalid/r.git, commit: abcdef1 }
checkpoint: { uri: s3://ckpt-bucket/run1, everySteps: 100, intervalMinutes: 30 }
maxRuntimeHours: 10
tags: { Environment: dev, Team: nlp, Project: p, CostCenter: cc1, Owner: a@example.com }
`;
