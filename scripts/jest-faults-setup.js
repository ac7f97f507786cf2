// The fault suite kills services, takes a broker down and restarts PostgreSQL, each under load: generous.
jest.setTimeout(600000);
