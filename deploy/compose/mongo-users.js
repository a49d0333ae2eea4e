// Run once by the mongo image on an empty data volume (docker-entrypoint-initdb.d), as root:
// one user per service, allowed only its own database (readWrite on kinerja_<service>).
const fs = require("fs");
const admin = db.getSiblingDB("admin");
for (const service of ["appraisal", "training", "notification", "reporting"]) {
  const pwd = fs.readFileSync(`/run/secrets/mongo-${service}`, "utf8").replace(/[\r\n]+$/, "");
  admin.createUser({ user: service, pwd, roles: [{ role: "readWrite", db: `kinerja_${service}` }] });
}
