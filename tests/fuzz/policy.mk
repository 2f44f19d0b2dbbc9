# fuzz targets of the config parser
