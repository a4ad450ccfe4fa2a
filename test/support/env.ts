// Quiet, predictable settings for every test file.
process.env.TZ = 'UTC';
process.env.LOG_LEVEL ??= 'silent';
