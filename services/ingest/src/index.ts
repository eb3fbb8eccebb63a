// Public surface of @gaitwatch/ingest: built in a later issue (see README "Status").
export {};
