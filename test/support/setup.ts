import { interceptLocalhostDns } from 'fauxqs';

// fauxqs queue URLs use `sqs.<region>.localhost`; resolve those to loopback in every test worker.
interceptLocalhostDns();
