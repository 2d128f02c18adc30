# Read by cpack once per generator: the tarball is a relocatable tree, the .deb goes to /usr.
if(CPACK_GENERATOR STREQUAL "TGZ")
    set(CPACK_PACKAGING_INSTALL_PREFIX "/")
endif()
