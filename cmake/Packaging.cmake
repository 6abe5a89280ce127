# The Debian package (cpack -G DEB): the installed files under /usr, dependencies computed
# from the shared libraries the binary links (dpkg-shlibdeps), the licence in Debian's
# machine-readable copyright format, and a compressed changelog.
include(GNUInstallDirs)
set(doc_dir ${CMAKE_INSTALL_DATADIR}/doc/hocker)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${doc_dir})
set(changelog ${PROJECT_BINARY_DIR}/changelog.gz)
add_custom_command(OUTPUT ${changelog}
  COMMAND sh -c "gzip -9nc \"$0\" > \"$1\"" ${PROJECT_SOURCE_DIR}/packaging/changelog ${changelog}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(hocker_changelog ALL DEPENDS ${changelog})
install(FILES ${changelog} DESTINATION ${doc_dir})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hocker)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fetch Docker and OCI images from a registry, no daemon needed")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "hocker fetches container images from any Docker Registry HTTP API v2 or
 OCI distribution registry without a container daemon: a whole image as a
 docker-archive or OCI tarball for docker load, a single layer, an image's
 manifest or configuration, its tags and digest, or a Nix expression for
 nixpkgs' fetchdocker that pins every blob by hash. Every byte is verified
 against its digest. The classic commands hocker-image, hocker-layer,
 hocker-config, hocker-manifest and docker2nix are links to the one binary.")
set(CPACK_PACKAGE_CONTACT "hocker maintainers <hocker@example.org>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "hocker maintainers <hocker@example.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
