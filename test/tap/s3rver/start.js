// Starts @20minutes/s3rver (installed here by test/install-deps) through its library API: the
// package's command-line program is missing. Usage: node start.js PORT DIRECTORY
// Listens on 127.0.0.1:PORT, keeps the buckets in DIRECTORY, checks SigV4 signatures made with
// the access key S3RVER and the secret S3RVER, and prints "ready PORT" once it listens.
const S3rver = require('@20minutes/s3rver');

const [port, directory] = process.argv.slice(2);
new S3rver({ address: '127.0.0.1', port: Number(port), directory, silent: false })
  .run()
  .then((address) => console.log(`ready ${address.port}`))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
