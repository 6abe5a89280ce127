# cmake -DSOURCE=DIR -DDESTINATION=DIR -P CompressManPages.cmake: every page in SOURCE
# gzipped into DESTINATION as Debian wants them (-9, no name or time stamp: reproducible);
# a link to a page becomes a link to the compressed page.
file(GLOB pages RELATIVE ${SOURCE} ${SOURCE}/*.1)
file(REMOVE_RECURSE ${DESTINATION})
file(MAKE_DIRECTORY ${DESTINATION})
foreach(page IN LISTS pages)
  if(IS_SYMLINK ${SOURCE}/${page})
    file(READ_SYMLINK ${SOURCE}/${page} target)
    file(CREATE_LINK ${target}.gz ${DESTINATION}/${page}.gz SYMBOLIC)
  else()
    execute_process(COMMAND gzip -9nc ${SOURCE}/${page} OUTPUT_FILE ${DESTINATION}/${page}.gz
                    COMMAND_ERROR_IS_FATAL ANY)
  endif()
endforeach()
