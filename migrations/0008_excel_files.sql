-- Excel workbooks (.xlsx) are accepted as uploads; their first sheet is stored as Parquet like any other file.
alter table files drop constraint files_format_check;
alter table files add constraint files_format_check check (format in ('csv', 'tsv', 'json', 'parquet', 'xlsx'));
